"""The web server: webhooks from Telegram and Twilio, health, metrics, calendar and media."""
