"""The one thing pyproject.toml cannot say: the top-level ``data/`` folder ships inside the
package as ``geo_khorasan/data`` (read with importlib.resources, see ``geo_khorasan.paths``),
while every subpackage of ``geo_khorasan`` is still found automatically."""
from setuptools import find_packages, setup

setup(
    packages=find_packages(include=["geo_khorasan", "geo_khorasan.*"]) + ["geo_khorasan.data"],
    package_dir={"geo_khorasan.data": "data"},
    package_data={"geo_khorasan": ["py.typed", "render/templates/*"], "geo_khorasan.data": ["*"]},
)
