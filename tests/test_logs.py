def test_parser_chatter_is_kept_to_errors() -> None:
    import logging

    from bot.ops.logs import QUIET_LIBRARIES, quiet_libraries

    for name in QUIET_LIBRARIES:
        logging.getLogger(name).setLevel(logging.NOTSET)
    quiet_libraries()
    assert all(logging.getLogger(n).level == logging.ERROR for n in QUIET_LIBRARIES)
