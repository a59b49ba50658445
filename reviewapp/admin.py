from django.contrib import admin

from reviewapp.models import Invitation, Membership, Review


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ["user", "added_by"]


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ["title", "protocol_id", "created_at"]
    search_fields = ["title", "protocol_id"]
    inlines = [MembershipInline]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "review", "role", "created_at", "sent_at", "accepted_at"]
