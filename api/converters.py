"""Path converters that refuse what the database could not store, so bad ids are 404s, not 500s."""


class IdConverter:
    regex = "[0-9]{1,18}"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return str(value)


class Md5Converter:
    regex = "[0-9a-fA-F]{32}"

    def to_python(self, value):
        return value.lower()

    def to_url(self, value):
        return value


class FieldNameConverter:
    regex = "[A-Za-z][A-Za-z0-9_]{0,49}"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value
