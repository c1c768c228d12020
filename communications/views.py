"""Files are served only through here, after checking the viewer may see the ticket."""

from django.contrib.auth.views import redirect_to_login
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404
from rest_framework.exceptions import AuthenticationFailed

from accounts.authentication import ApiTokenAuthentication
from communications import selectors


def _viewer(request):
    """The signed-in user, or the owner of the request's API token (the API hands out
    `download_url`, so an integration must be able to follow it); None for nobody."""
    if request.user.is_authenticated:
        return request.user
    found = ApiTokenAuthentication().authenticate(request)
    return found[0] if found else None


def attachment_download(request, pk: int):
    """The file with its original name; a foreign or internal file is simply not there (404)."""
    try:
        viewer = _viewer(request)
    except AuthenticationFailed as error:
        return JsonResponse({"detail": str(error.detail), "errors": {}}, status=401)
    if viewer is None:
        return redirect_to_login(request.get_full_path())
    attachment = get_object_or_404(selectors.attachments_visible_to(viewer), pk=pk)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
