"""Qt item models over lists of journal records, filled by pages and never querying."""
