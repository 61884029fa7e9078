from msoko.web.access import can, scope_of
from msoko.web.accounts.roles import Action


def scope(request):
    """Expose the user's scope and rights to templates (navigation shows only what the user may use)."""
    return {"user_scope": scope_of(request.user), "can_import": can(request.user, Action.IMPORT_DATA),
            "can_manage_users": can(request.user, Action.MANAGE_USERS)}
