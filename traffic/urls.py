from django.urls import path

app_name = "traffic"
urlpatterns: list = []  # the operator and portal pages register here
