"""The adapter to GitHub over PyGithub and pyjwt: the only package that imports them."""
