from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from reviewapp import services


class Command(BaseCommand):
    help = "Create a review owned by USERNAME and print its id."

    def add_arguments(self, parser):
        parser.add_argument("title")
        parser.add_argument("--owner", required=True, help="username of the owner")
        parser.add_argument("--question", default="")
        parser.add_argument("--protocol-id", default="")

    def handle(self, *args, title, owner, question, protocol_id, **options):
        user = get_user_model().objects.filter(username=owner).first()
        if user is None:
            raise CommandError(f"no user with username {owner!r}")
        review = services.create_review(
            owner=user, title=title, question=question, protocol_id=protocol_id
        )
        self.stdout.write(str(review.pk))
