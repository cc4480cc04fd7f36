"""Plain-Python core: units, analytes, indices, training coverage, walk adherence."""
