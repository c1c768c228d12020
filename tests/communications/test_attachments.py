"""Attachment limits: the declared type is the client's word, so names and bytes are checked."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from rest_framework.test import APIClient

from communications import inbound, services
from communications.models import Attachment, InboundEmail, Message
from tests.communications.conftest import NOW
from tickets import services as ticket_services
from tickets.models import Ticket

pytestmark = pytest.mark.django_db

# The smallest thing Windows would take for a program: MZ, e_lfanew at 60, "PE\0\0" there.
PROGRAM = b"MZ" + b"\0" * 58 + (64).to_bytes(4, "little") + b"PE\0\0" + b"\0" * 64


def problem(name: str, content_type: str, data: bytes = b"data") -> str | None:
    return services.attachment_problem(services.IncomingFile(name, content_type, data))


@pytest.mark.parametrize(
    "name",
    ["setup.exe", "SETUP.EXE", "fatura.pdf.exe", "run.exe. ", "x.bat", "x.cmd", "x.com",
     "x.js", "x.vbs", "x.scr", "x.msi", "x.ps1", "x.sh", "x.jar", "page.html", "page.htm",
     "logo.svg"],
)  # fmt: skip
def test_programs_scripts_and_active_pages_are_refused_whatever_their_declared_type(name):
    reason = problem(name, "application/octet-stream")
    assert reason and "not accepted" in reason and name in reason


@pytest.mark.parametrize("content_type", ["text/html", "image/svg+xml", "text/javascript"])
def test_active_types_are_refused_even_under_a_harmless_name(content_type):
    assert problem("notes.txt", content_type) == (f"Files of type {content_type} are not accepted.")


def test_a_program_is_recognised_by_its_bytes_under_any_name():
    assert "contains a program" in problem("relatorio.pdf", "application/pdf", PROGRAM)
    assert "contains a program" in problem("dados.bin", "application/octet-stream", PROGRAM)
    assert problem("elf.dat", "application/octet-stream", b"\x7fELF\x02\x01\x01" + b"\0" * 9)


@pytest.mark.parametrize(
    ("name", "content_type", "data"),
    [
        ("relatório.pdf", "application/pdf", b"%PDF-1.7"),
        ("log.txt", "text/plain", b"MZ is how this log line starts" * 4),
        ("planilha.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
         b"PK\x03\x04"),
        ("dump.bin", "application/octet-stream", b"\x00\x01\x02"),
        ("evidencias.zip", "application/zip", b"PK\x03\x04"),
    ],
)  # fmt: skip
def test_ordinary_files_still_pass(name, content_type, data):
    assert problem(name, content_type, data) is None


def test_the_blocklist_comes_from_settings(settings):
    settings.ATTACHMENT_BLOCKED_EXTENSIONS = ["xyz"]
    assert problem("a.xyz", "application/octet-stream")
    assert problem("a.exe", "application/octet-stream") is None  # the operator's choice


@pytest.fixture
def ticket(default_policy, levels, customer):
    return ticket_services.ticket_create(
        organization=customer.membership.organization,
        requester=customer,
        subject="Integração",
        description="x",
        priority=levels["media"],
        reported_at=NOW,
        now=NOW,
    )


def test_the_api_answers_400_with_the_reason(ticket, customer):
    client = APIClient()
    client.force_authenticate(customer)
    upload = SimpleUploadedFile("setup.exe", PROGRAM, content_type="application/octet-stream")
    response = client.post(
        f"/api/tickets/{ticket.reference}/attachments/",
        {"file": upload},
        format="multipart",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert "setup.exe" in str(response.json()) and "not accepted" in str(response.json())
    assert not Attachment.objects.exists()


def test_the_portal_form_shows_the_reason_and_opens_nothing(default_policy, levels, customer):
    client = Client()
    client.force_login(customer)
    upload = SimpleUploadedFile("setup.exe", PROGRAM, content_type="application/octet-stream")
    response = client.post(
        "/tickets/new/",
        {
            "subject": "Instalador",
            "description": "Segue o instalador.",
            "priority": levels["baixa"].pk,
            "category": "question",
            "scope": "one",
            "files": upload,
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200  # the form again, with the error
    page = response.content.decode()
    assert "setup.exe" in page and "not accepted" in page
    assert not Ticket.objects.exists() and not Attachment.objects.exists()


def test_a_refused_email_attachment_stays_in_the_raw_source_and_is_noted(ticket, customer):
    import base64

    encoded = base64.encodebytes(PROGRAM).decode()
    raw = (
        f"From: {customer.email}\r\n"
        f"Subject: Re: [{ticket.reference}] Integração\r\n"
        "Message-ID: <exe-1@acme.example.com>\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/mixed; boundary="b"\r\n\r\n'
        "--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nSegue o instalador.\r\n"
        "--b\r\nContent-Type: application/octet-stream\r\n"
        'Content-Disposition: attachment; filename="setup.exe"\r\n'
        "Content-Transfer-Encoding: base64\r\n\r\n"
        f"{encoded}\r\n--b--\r\n"
    ).encode()
    record, _created = inbound.email_ingest(raw, now=NOW)
    assert record.status == InboundEmail.Status.PROCESSED and record.ticket == ticket
    message = Message.objects.get(inbound_email=record)
    assert not message.attachments.exists()
    assert "setup.exe" in message.body and "the original e-mail has it" in message.body
    assert encoded.replace("\n", "").encode()[:40] in bytes(record.raw).replace(b"\r\n", b"")
