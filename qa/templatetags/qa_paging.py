from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def page_url(context, param, number):
    """This page's query string with one paging parameter changed; the others are kept.

    {% querystring %} takes a fixed parameter name; a page with several paged lists needs
    the name to come from a variable.
    """
    query = context["request"].GET.copy()
    query[param] = number
    return f"?{query.urlencode()}"
