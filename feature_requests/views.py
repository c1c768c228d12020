"""The portal's feature-request board: thin views over the services and selectors.

Votes and subscriptions are plain POST forms; the board's script sends the same forms with
`Accept: application/json` and gets the new state back instead of a redirect.
"""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from feature_requests import notifications, selectors, services
from feature_requests.forms import BoardFilterForm, CommentForm, FeatureRequestForm
from feature_requests.models import FeatureRequest, NotificationPreference, Subscription

PAGE_SIZE = 30


def _visible_or_404(request, pk: int) -> FeatureRequest:
    return get_object_or_404(selectors.feature_requests_visible_to(request.user), pk=pk)


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


@login_required
@require_GET
def board(request):
    """Requests sorted by votes, newest or recently updated; filtered and searched."""
    form = BoardFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    requests = selectors.board(
        request.user,
        sort=filters.get("sort") or "votes",
        status=filters.get("status") or "",
        product_area=filters.get("product_area") or "",
        q=(filters.get("q") or "").strip(),
    )
    page = Paginator(requests, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "feature_requests/board.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "unread": selectors.unread_notice_count(request.user),
        },
    )


@login_required
def feature_request_new(request):
    """Propose a request; similar ones are shown first so people vote instead of duplicating."""
    if request.method == "POST" and "check" in request.POST:
        # Only looking: search with whatever title is typed (a description is not needed to
        # look), and give the form back as typed, without "required" errors.
        similar = selectors.similar_requests(request.user, request.POST.get("title", "")[:200])
        form = FeatureRequestForm(initial=request.POST.dict())
        return render(
            request,
            "feature_requests/new.html",
            {"form": form, "similar": similar, "checked": True},
        )
    form = FeatureRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            feature_request = services.feature_request_create(
                author=request.user,
                title=data["title"],
                description=data["description"],
                product_area=data["product_area"],
                is_private=data["is_private"],
                now=timezone.now(),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("Your request was registered: you voted for it and follow it.")
            )
            return redirect(feature_request)
    similar = (
        selectors.similar_requests(request.user, request.POST.get("title", "")[:200])
        if request.method == "POST"
        else []
    )
    return render(
        request,
        "feature_requests/new.html",
        {"form": form, "similar": similar, "checked": False},
    )


def votes_text(count: int) -> str:
    """ "1 vote", "2 votes", by the language's plural rule (pt-BR: 0 and 1 are singular)."""
    return ngettext("%(counter)s vote", "%(counter)s votes", count) % {"counter": count}


@login_required
@require_GET
def similar(request):
    """Requests like the title being typed (for the form's script): JSON."""
    text = request.GET.get("title", "")[:200]
    found = selectors.similar_requests(request.user, text)
    return JsonResponse(
        {
            "results": [
                {
                    "id": fr.pk,
                    "title": fr.title,
                    "status": fr.get_status_display(),
                    "votes": fr.vote_count,
                    "votes_text": votes_text(fr.vote_count),
                    "url": fr.get_absolute_url(),
                }
                for fr in found
            ]
        }
    )


@login_required
@require_GET
def feature_request_detail(request, pk: int):
    """The request, its status history with reasons, comments, and what the user can do."""
    return _detail(request, _visible_or_404(request, pk), CommentForm())


def _detail(request, feature_request, comment_form, *, status: int = 200):
    return render(
        request,
        "feature_requests/detail.html",
        {
            "feature_request": feature_request,
            "history": selectors.status_history(feature_request),
            "comments": selectors.comments_of(feature_request),
            "comment_form": comment_form,
        },
        status=status,
    )


def _toggle(request, pk: int, action, done: str):
    feature_request = _visible_or_404(request, pk)
    try:
        action(feature_request=feature_request, user=request.user, now=timezone.now())
    except ValidationError as error:
        if _wants_json(request):
            return JsonResponse({"error": " ".join(error.messages)}, status=400)
        messages.error(request, " ".join(error.messages))
    else:
        if not _wants_json(request):
            messages.success(request, done)
    if _wants_json(request):
        fresh = selectors.feature_requests_visible_to(request.user).get(pk=pk)
        return JsonResponse(
            {
                "votes": fresh.vote_count,
                "votes_text": votes_text(fresh.vote_count),
                "voted": fresh.has_voted,
                "subscribed": fresh.is_subscribed,
            }
        )
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return redirect(back)
    return redirect(feature_request)


@login_required
@require_POST
def vote(request, pk: int):
    return _toggle(request, pk, services.feature_request_vote, _("Your vote was counted."))


@login_required
@require_POST
def unvote(request, pk: int):
    return _toggle(request, pk, services.feature_request_unvote, _("Your vote was withdrawn."))


@login_required
@require_POST
def subscribe(request, pk: int):
    return _toggle(
        request, pk, services.feature_request_subscribe, _("You will be told of its progress.")
    )


@login_required
@require_POST
def unsubscribe(request, pk: int):
    return _toggle(
        request, pk, services.feature_request_unsubscribe, _("You no longer follow this request.")
    )


@login_required
@require_POST
def comment(request, pk: int):
    """Add the comment; a refused one comes back on the page with its text (never lost to a
    redirect), the reason beside it."""
    feature_request = _visible_or_404(request, pk)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            services.comment_post(
                feature_request=feature_request,
                author=request.user,
                body=form.cleaned_data["body"],
                now=timezone.now(),
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, _("Your comment was added."))
            return redirect(feature_request)
    return _detail(request, feature_request, form, status=400)


@login_required
def notices(request):
    """The user's notices about requests they follow; opening the page marks them read."""
    if request.method == "POST":
        email_opt_out = request.POST.get("email_opt_out") == "on"
        services.notification_preference_set(
            user=request.user, email_opt_out=email_opt_out, now=timezone.now()
        )
        messages.success(request, _("Your e-mail preference was saved."))
        return redirect("feature_requests:notices")
    listed = list(selectors.notices_of(request.user)[:100])
    unread = [notice.pk for notice in listed if notice.read_at is None]
    services.notices_mark_read(user=request.user, notice_ids=unread, now=timezone.now())
    preference = NotificationPreference.objects.filter(user=request.user).first()
    following = (
        Subscription.objects.filter(user=request.user)
        .select_related("feature_request")
        .order_by("-created_at")
    )
    return render(
        request,
        "feature_requests/notices.html",
        {
            "notices": listed,
            "unread_ids": set(unread),
            "email_opt_out": bool(preference and preference.email_opt_out),
            "following": following,
        },
    )


@csrf_exempt  # RFC 8058 one-click: the mail client posts without a session or a token
def unsubscribe_link(request, token: str):
    """Stop e-mails from a link in a notice: one request, or every feature-request e-mail."""
    found = notifications.unsubscribe_read(token)
    if found is None:
        raise Http404
    user_id, scope = found
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        raise Http404
    feature_request = None
    if scope != notifications.ALL:
        feature_request = FeatureRequest.objects.filter(pk=scope).first()
        if feature_request is None:
            raise Http404
        # A merge moved the subscription to the survivor: the link in an older notice
        # unsubscribes from there (a survivor may itself have been merged later).
        for _hop in range(10):
            if feature_request.merged_into_id is None:
                break
            feature_request = feature_request.merged_into
    done = False
    if request.method == "POST":
        now = timezone.now()
        if feature_request is None:
            services.notification_preference_set(user=user, email_opt_out=True, now=now)
        else:
            services.feature_request_unsubscribe(
                feature_request=feature_request, user=user, now=now
            )
        done = True
    return render(
        request,
        "feature_requests/unsubscribe.html",
        {"feature_request": feature_request, "done": done},
    )
