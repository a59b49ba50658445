"""Load a demo review shaped like the seed review (low-dose naltrexone for chronic pain).

Safe to run again: it reuses what exists and resets the demo users' passwords, which it prints.
"""

import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from reviewapp import services
from reviewapp.models import Membership, Review, Role

DEMO_TITLE = "Low-dose naltrexone for chronic pain (demo)"
DEMO_USERS = [
    ("owner", Role.OWNER, "Olivia", "Owner"),
    ("lead", Role.LEAD, "Liam", "Lead"),
    ("reviewer1", Role.REVIEWER, "Rita", "Reviewer"),
    ("reviewer2", Role.REVIEWER, "Rafael", "Reviewer"),
]


class Command(BaseCommand):
    help = "Load (or refresh) the demo review and print the demo users' passwords."

    def add_arguments(self, parser):
        parser.add_argument(
            "--url",
            default=None,
            help="the address the server will listen on, printed for logging in "
            "(default: SITE_URL; `make run` passes its HOST and PORT)",
        )

    def handle(self, *args, **options):
        from django.conf import settings

        url = (options["url"] or settings.SITE_URL).rstrip("/") + "/"
        User = get_user_model()
        existing = set(
            User.objects.filter(username__in=[u for u, *_ in DEMO_USERS]).values_list(
                "username", flat=True
            )
        )
        passwords = {}
        users = {}
        for username, _role, first, last in DEMO_USERS:
            user, _ = User.objects.get_or_create(
                username=username,
                defaults={
                    "first_name": first,
                    "last_name": last,
                    "email": f"{username}@demo.invalid",
                },
            )
            passwords[username] = secrets.token_urlsafe(9)
            user.set_password(passwords[username])
            user.save()
            users[username] = user

        review = Review.objects.filter(title=DEMO_TITLE).first()
        created = review is None
        if created:
            review = services.create_review(
                owner=users["owner"],
                title=DEMO_TITLE,
                question="Does low-dose naltrexone relieve pain in patients with chronic pain syndromes, "
                "including complex regional pain syndrome?",
                protocol_id="CRD42020000000",
            )
        for username, role, _first, _last in DEMO_USERS:
            Membership.objects.update_or_create(
                review=review,
                user=users[username],
                defaults={"role": role, "added_by": users["owner"]},
            )
        from reviewapp.demo import load_demo_content

        load_demo_content(review=review, users=users, stdout=self.stdout)

        self.stdout.write(
            self.style.SUCCESS(
                f"Demo review {'created' if created else 'already there'}: id {review.pk}"
            )
        )
        if existing:
            self.stdout.write(
                self.style.WARNING(
                    f"The demo users' passwords were reset ({', '.join(sorted(existing))}): "
                    "the old ones no longer work; use these."
                )
            )
        self.stdout.write(f"Log in at {url} with one of:")
        for username, role, _first, _last in DEMO_USERS:
            self.stdout.write(f"  {username:<10} {passwords[username]:<14} ({role})")
