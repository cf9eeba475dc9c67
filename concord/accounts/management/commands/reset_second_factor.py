from django.core.management.base import BaseCommand, CommandError

from concord.accounts import otp
from concord.accounts.models import User


class Command(BaseCommand):
    help = (
        "Remove an account's authenticator and backup codes (audited); an administrator "
        "enrols a new one at the next login. The security administrator does the same from "
        "the admin site; this is for when no security administrator can sign in."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username: str, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"no account named {username!r}")
        removed = otp.reset(actor=None, user=user)
        self.stdout.write(f"{username}: {removed} second-factor device(s) removed")
