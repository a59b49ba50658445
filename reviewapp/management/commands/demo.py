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

    def handle(self, *args, **options):
        User = get_user_model()
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
        self.stdout.write("Log in at http://127.0.0.1:8000/ with one of:")
        for username, role, _first, _last in DEMO_USERS:
            self.stdout.write(f"  {username:<10} {passwords[username]:<14} ({role})")
