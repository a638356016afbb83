"""Each exercise checker with the worked solution, a known wrong answer and the untouched stub."""


def _verdict(result):
    return result.status
