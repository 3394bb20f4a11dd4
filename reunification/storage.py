"""Static files in production: WhiteNoise's compressed, hashed storage, with the
`import` lines of our JavaScript modules rewritten to the hashed names too, so
every script (GOV.UK Frontend's included) is cached for good by browsers."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    support_js_module_import_aggregation = True
