"""The web dashboard's services: sign-in from the chat, who sees which KKGs, the figures.

Routes live in kkgbot/web/dashboard/; this package only reads and writes the database and
returns plain data, like every feature service.
"""
