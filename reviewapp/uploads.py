"""An upload past UPLOAD_MAX_BYTES is refused before its body is read.

- `UploadLimitMiddleware` answers 413 with the limit in words when a multipart request
  announces (Content-Length) more than the limit plus room for the form's other fields.
  It runs before anything reads `request.POST`, so nothing of the body is received
  into memory or onto disk.
- `LimitedUploadHandler` (first in FILE_UPLOAD_HANDLERS) is the backstop for a body
  without a truthful length (chunked, or lying): it counts the bytes of each file as
  they arrive and stops the upload past the limit (StopUpload: the rest is read and
  thrown away, never kept). It marks the request, and the middleware then answers the
  same 413 with the limit in words, whatever the view made of the missing file.
"""

from __future__ import annotations

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpResponse, JsonResponse
from django.template.defaultfilters import filesizeformat

# Room for the form's own fields (source name, search query, CSRF token) next to the file.
FORM_FIELDS_ALLOWANCE = 1024 * 1024


def too_large_message(size: int | None) -> str:
    told = f"({filesizeformat(size)}) is " if size else "is "
    return (
        f"The upload {told}larger than the limit: {filesizeformat(settings.UPLOAD_MAX_BYTES)} "
        "per file (UPLOAD_MAX_BYTES). Split the export into smaller files."
    )


def _too_large(request, size: int | None) -> HttpResponse:
    message = too_large_message(size)
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=413)
    return HttpResponse(message, status=413, content_type="text/plain")


class UploadLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.content_type == "multipart/form-data":
            try:
                size = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                size = 0
            if size > settings.UPLOAD_MAX_BYTES + FORM_FIELDS_ALLOWANCE:
                return _too_large(request, size)
        response = self.get_response(request)
        if getattr(request, "upload_stopped", False) and not 300 <= response.status_code < 400:
            # The handler stopped a file: whatever the view said of the missing file, the
            # person is told why it is missing.
            return _too_large(request, None)
        return response


class LimitedUploadHandler(FileUploadHandler):
    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > settings.UPLOAD_MAX_BYTES:
            self.request.upload_stopped = True
            raise StopUpload(connection_reset=False)
        return raw_data  # the next handler (memory or temporary file) keeps it

    def file_complete(self, file_size):
        return None
