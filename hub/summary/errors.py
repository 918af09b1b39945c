"""The weekly summary's named errors, in a module light enough for the hub to import at start."""


class PdfError(RuntimeError):
    """The PDF could not be made (WeasyPrint or its system libraries are missing or failed)."""
