FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml ./
COPY reviewapp/__init__.py reviewapp/celery.py reviewapp/
RUN mkdir -p screening extraction && touch screening/__init__.py extraction/__init__.py \
    && pip install --no-cache-dir .
COPY . .
# Production static files: hashed names and a manifest (DEBUG off), compressed by WhiteNoise.
RUN pip install --no-cache-dir --no-deps . \
    && DEBUG=0 SECRET_KEY=collectstatic-only-not-used-at-run-time-0123456789abcdef \
       python manage.py collectstatic --noinput
RUN useradd --create-home app && mkdir -p /data && chown app /data
USER app
ENV REVIEWAPP_VAR_DIR=/data MEDIA_ROOT=/data/media
EXPOSE 8000
CMD ["gunicorn", "reviewapp.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "120", "--preload"]
