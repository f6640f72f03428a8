"""What a page says about itself to link previews (Open Graph)."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def canonical_url(context):
    """This page's absolute address without its query string.

    The host is part of the cached page's key (qa.pagecache.page_key), so a page cached for
    one host name never names another.
    """
    request = context["request"]
    return request.build_absolute_uri(request.path)
