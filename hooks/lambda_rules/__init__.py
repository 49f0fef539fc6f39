"""Lambda and AWS rules for copier-lambda-sam and the repos it generates.

This package is copied verbatim into every generated repo (template/tools/
links here), so it must depend on the standard library and PyYAML only.
"""
