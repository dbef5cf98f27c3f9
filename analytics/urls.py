from django.urls import path

from . import views, views_agency, views_report

app_name = "analytics"
urlpatterns = [
    path("operator/", views.OperatorHomeView.as_view(), name="operator_home"),
    # The operator's ecosystem analytics (views_report): the cached report, compute, exports.
    path("operator/analytics/", views_report.report, name="report"),
    path("operator/analytics/compute/", views_report.report_compute, name="report_compute"),
    path("operator/analytics/status/", views_report.report_status, name="report_status"),
    path("operator/analytics/ecosystem-report.csv", views_report.report_csv, name="report_csv"),
    path("operator/analytics/ecosystem-report.xlsx", views_report.report_xlsx, name="report_xlsx"),
    # The agency's own slice.
    path("agency/analytics/", views_agency.agency, name="agency"),
]
