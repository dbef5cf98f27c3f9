"""The Django admin acts as the operator's staff, so its pages (lists, forms, model validation)
read every tenant's rows through the same managers as everything else, by a named privilege."""

from django.urls import reverse

from .scoping import acting_as, platform_staff


class AdminActorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        staff = user is not None and user.is_active and user.is_staff
        if not (staff and request.path.startswith(reverse("admin:index"))):
            return self.get_response(request)
        with acting_as(platform_staff(user.pk)):
            response = self.get_response(request)
            if hasattr(response, "render") and not response.is_rendered:
                response.render()  # admin pages are TemplateResponses: render inside the actor
            return response
