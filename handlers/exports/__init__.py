"""/ekspor: the files a KKG files with the dinas and the school."""
