from msoko.web.access import scope_of


def scope(request):
    """Expose the user's scope to templates (navigation shows only what the scope reaches)."""
    return {"user_scope": scope_of(request.user)}
