from django import template

from risk.selectors import risk_summary

register = template.Library()


@register.simple_tag
def risk_summary_for(case):
    """The current level and step-rule dates, for the case overview."""
    return risk_summary(case)
