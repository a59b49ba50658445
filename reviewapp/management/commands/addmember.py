from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from reviewapp import services
from reviewapp.http import refusal_text
from reviewapp.models import Review, Role


class Command(BaseCommand):
    help = "Add USERNAME (or invite an e-mail address) to review REVIEW_ID with a role."

    def add_arguments(self, parser):
        parser.add_argument("review_id", type=int)
        parser.add_argument("who", help="username or e-mail address")
        parser.add_argument("--role", choices=Role.values, default=Role.REVIEWER)

    def handle(self, *args, review_id, who, role, **options):
        review = Review.objects.filter(pk=review_id).first()
        if review is None:
            raise CommandError(f"no review with id {review_id}")
        try:
            result = services.add_member(review=review, who=who, role=Role(role), added_by=None)
        except ValidationError as exc:
            raise CommandError(refusal_text(exc)) from None
        if result.invited:
            self.stdout.write(f"invited {result.invitation.email} as {role}")
        else:
            self.stdout.write(f"added {result.membership.user.username} as {role}")
