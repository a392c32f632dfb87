"""Understanding what people type: answers in their own words, numbers in any form, codes
and commands without the slash. Pure functions over text and the word lists in the locale
catalogues; no database, so every layer may use it."""
