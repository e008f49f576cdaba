"""Reports for funders: set-based figures, server-drawn charts, CSV and .xlsx downloads."""
