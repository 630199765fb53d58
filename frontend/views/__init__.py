"""Server-rendered pages, one module per area. Thin: read with selectors, write with services."""
