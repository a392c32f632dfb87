# The same install steps CI proves (`pip install .`), in a small image.
FROM python:3.11-slim
WORKDIR /app
ENV PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
COPY pyproject.toml README.md ./
COPY bot.py ./
COPY kkgbot ./kkgbot
COPY handlers ./handlers
COPY config ./config
COPY migrations ./migrations
RUN pip install .
RUN useradd --create-home kkgbot && chown -R kkgbot /app
USER kkgbot
EXPOSE 8080
CMD ["python", "bot.py", "run"]
