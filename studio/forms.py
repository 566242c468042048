from django import forms

from studio.models import Role


class InvitationForm(forms.Form):
    email = forms.EmailField(label="E-mail address")
    role = forms.ChoiceField(
        choices=[(Role.MEMBER, "Member"), (Role.ADMIN, "Admin")], initial=Role.MEMBER
    )


class WorkspaceRenameForm(forms.Form):
    name = forms.CharField(max_length=100)
