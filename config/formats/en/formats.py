"""English dates as European cities write them: "1 June 2027, 13:30".

Django's default English formats are American ("June 1, 2027, 1:30 p.m."), whose trailing
"p.m." also collides with the full stop of a sentence.
"""

DATE_FORMAT = "j F Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j F Y, H:i"
MONTH_DAY_FORMAT = "j F"
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
FIRST_DAY_OF_WEEK = 1  # Monday
