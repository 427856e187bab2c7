"""nbgrader settings every account of the cohort shares (learners, instructors, the grader).

The hub passes the course id and the exchange folder in the environment of every server it
starts (see deploy/hub/cohort.py). With these, a learner's Assignments tab lists the course's
released assignments, and `nbgrader submit` files each submission under the learner's own Unix
user name.
"""

import os

c = get_config()  # provided by nbgrader when it loads this file

c.CourseDirectory.course_id = os.environ["CITYKIT_COURSE_ID"]
c.Exchange.root = os.environ["CITYKIT_EXCHANGE"]
# Submissions larger than this are refused by the exchange (the sample city is not submitted).
c.Exchange.max_dir_size = 100_000  # kB
