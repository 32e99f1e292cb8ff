"""Reading what a sentence says happened at a place: incident, region claim ("contested") or mention.

Pure text functions: no HTML, no gazetteer. Every cue word lives in ``data/cues.yaml``
(compiled by ``cues``); the modules hold the patterns that combine them:

* ``roles.classify``: the role of one place mention within its sentence, with the incident
  facts (type, date, casualties, actor) or the region status, the cue words that decided and the
  rule that fired (shown to the analyst); ``reader.Reader`` applies it to a document.
* ``incidents``, ``claims``, ``actors``: event cues and where they happened, region-status
  cues and what they govern, who did it.
* ``dates.parse_date``, ``casualties.parse_casualties``: event dates and casualty figures.
* ``citations.find_citation``: the "(Outlet, Month D, YYYY)" source a sentence cites.
* ``datelines``: when an article was written, stated or inferred from the dates it mentions.
* ``spans``, ``text``: place groups of a sentence and the shared text machinery.
"""
