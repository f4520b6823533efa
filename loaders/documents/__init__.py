"""Document pipeline: discover files, read and decode them, remove page furniture, extract RDF."""
