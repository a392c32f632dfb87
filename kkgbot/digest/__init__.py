"""The supervisors' weekly digest: figures per KKG, a text, a chart and a workbook."""
