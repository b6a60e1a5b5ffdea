"""Search and list, read, upload and delete tuning documents."""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, flash, request
from flask.typing import ResponseReturnValue
from flask_login import current_user
from marshmallow import ValidationError

from apex import pdf_worker, theory, theory_markdown
from apex.blueprints.theory.blueprint import bp, document_or_404, is_admin, may_delete
from apex.db import get_store
from apex.extensions import upload_limit
from apex.htmx import render, see_other
from apex.schemas import form_dict
from apex.schemas.theory import SearchSchema, UploadSchema

PAGE = "theory/index.html"
BLOCKS = {"theory-results": "theory_results"}
FORM = "theory/new.html"
SEARCH_LIMIT = 20


@bp.get("/")
def list_documents() -> ResponseReturnValue:
    """Every document (newest first), or with ``q`` the best passages; ``category`` narrows."""
    values = form_dict(request.args)
    errors: dict[str, list[str]]
    try:
        data, errors = SearchSchema().load(values), {}
    except ValidationError as err:
        errors = err.messages_dict
        data = SearchSchema().load({k: v for k, v in values.items() if k not in errors})
    store = get_store()
    passages = (store.search_theory(data["q"], limit=SEARCH_LIMIT, category=data["category"])
                if data["q"] else [])
    documents = [] if data["q"] else store.list_theory_documents(category=data["category"])
    return render(PAGE, BLOCKS, 422 if errors else 200, values=values, errors=errors,
                  q=data["q"], passages=passages, documents=documents,
                  categories=theory.CATEGORIES)


def _form(status: int = 200, **context: Any) -> ResponseReturnValue:
    context.setdefault("errors", {})
    return render(FORM, {}, status, categories=theory.CATEGORIES, accept=theory.ACCEPT,
                  **context)


@bp.get("/new")
def new_document() -> ResponseReturnValue:
    return _form(values={"category": "general"})


@bp.post("/")
@upload_limit
def upload_document() -> ResponseReturnValue:
    values = form_dict(request.form)
    upload = request.files.get("file")
    filename = theory.safe_filename(upload.filename or "") if upload else ""
    errors: dict[str, list[str]] = {}
    text = ""
    if upload is None or not filename:
        errors["file"] = ["Choose a file."]
    else:
        limits = pdf_worker.Limits.from_config(current_app.config)
        try:  # one byte more than allowed is enough to know it is too big
            text = theory.extract_text(upload.stream.read(theory.MAX_BYTES + 1), filename,
                                       lambda data: pdf_worker.pdf_text(data, limits))
        except theory.ExtractError as err:
            errors["file"] = [err.message]
    fields = dict(values)
    if filename and not str(fields.get("title") or "").strip():
        fields["title"] = ((theory_markdown.is_markdown(filename) and text
                            and theory_markdown.first_heading(text))
                           or theory.default_title(filename))
    try:
        data = UploadSchema().load(fields)
    except ValidationError as err:
        errors.update(err.messages_dict)
    if errors:
        return _form(422, values=values, errors=errors)
    try:
        document = get_store().add_theory_document(
            current_user.id, data["title"], data["category"], filename, text,
            request_key=data["request_key"])
    except ValueError as err:  # too many distinct words for the search index
        return _form(422, values=values, errors={"file": [str(err)]})
    if document is None:
        flash("Already saved.")
        return see_other("theory.list_documents")
    flash(f"Added “{document.title}” to the Theory library.")
    return see_other("theory.show_document", document_id=document.id)


@bp.errorhandler(413)
def _too_large(_: Exception) -> ResponseReturnValue:
    """A body over MAX_CONTENT_LENGTH never reaches the view: say why, beside the field."""
    return _form(413, values={"category": "general"}, errors={"file": [theory.TOO_BIG]})


@bp.get("/<document_id>")
def show_document(document_id: str) -> ResponseReturnValue:
    """The text a page at a time: a Markdown file rendered (sanitised, no HTML of its
    own), any other as written (escaped); with ``q`` its words are marked and the
    first page with one opens."""
    document = document_or_404(document_id)
    q = (request.args.get("q") or "")[:200]
    terms = theory.query_terms(q) if q else frozenset()
    texts = theory.pages(document.content)
    page = request.args.get("page", type=int)
    if page is None:
        page = theory.first_page_with(texts, terms) if terms else 1
    page = min(max(page, 1), len(texts))
    html = None
    if theory_markdown.is_markdown(document.filename):
        html = theory_markdown.render(texts[page - 1], title=document.title, terms=terms)
    pieces = theory.mark(texts[page - 1], terms) if terms else ((texts[page - 1], False),)
    return render("theory/show.html", {}, document=document, pieces=pieces, html=html,
                  page=page, pages=len(texts), q=q, may_delete=may_delete(document))


@bp.post("/<document_id>/delete")
def delete_document(document_id: str) -> ResponseReturnValue:
    document = document_or_404(document_id)
    if not get_store().delete_theory_document(current_user.id, document.id,
                                              is_admin=is_admin()):
        abort(404)
    flash(f"Deleted “{document.title}”.")
    return see_other("theory.list_documents")
