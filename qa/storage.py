"""Uploaded images in object storage (S3 or compatible), for boards served by several nodes."""

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from storages.backends.s3 import S3Storage


class MediaBucket(S3Storage):
    """The bucket named by MEDIA_BUCKET (settings.py).

    With MEDIA_PROTECTED an image's address stays the site's own (/media/answers/...), where
    qa.views.upload_file checks the account and reads the file from the bucket: the bucket's
    own address would hand it to anyone. Otherwise the bucket (or MEDIA_CUSTOM_DOMAIN) serves it.
    """

    def url(self, name, *args, **kwargs):
        if settings.MEDIA_PROTECTED:
            return FileSystemStorage(location=settings.MEDIA_ROOT).url(name)
        return super().url(name, *args, **kwargs)
