"""Named SPARQL queries (.rq files)."""
