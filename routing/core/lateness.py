"""The one rule of lateness, shared by the search, the hand edits and every page."""


def is_late(service_start_s: int, window_end_s: int | None, shift_end_s: int) -> bool:
    """Whether service starts after the applicant's window or the shift has ended.

    Parameters
    ----------
    service_start_s : int
        When service starts, in seconds since midnight.
    window_end_s : int or None
        End of the applicant's window; ``None`` when none was given.
    shift_end_s : int
        End of the courier's shift.

    Returns
    -------
    bool
        True when the stop is late.
    """
    closes = shift_end_s if window_end_s is None else min(window_end_s, shift_end_s)
    return service_start_s > closes
