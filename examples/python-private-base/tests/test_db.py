import os
import tempfile
import unittest

from status_board import db


class DatabaseTest(unittest.TestCase):
    def setUp(self):
        fd, self.path = tempfile.mkstemp(suffix=".sqlite3")
        os.close(fd)
        db.migrate(self.path, seed=True)

    def tearDown(self):
        os.unlink(self.path)

    def test_seed_once(self):
        db.migrate(self.path, seed=True)
        with db.connect(self.path) as conn:
            self.assertEqual(len(db.components(conn)), 6)

    def test_summary(self):
        with db.connect(self.path) as conn:
            s = db.summary(conn)
        self.assertEqual(s["status"], "partial_outage")
        self.assertEqual(s["byStatus"]["degraded"], ["search"])
        self.assertEqual([i["id"] for i in s["openIncidents"]], [119, 118])
        self.assertEqual(s["meanMinutesToResolve"], 61.5)
        self.assertEqual(s["schema"], db.SCHEMA_VERSION)

    def test_open_incidents_have_no_duration(self):
        with db.connect(self.path) as conn:
            for incident in db.incidents(conn, only_open=True):
                self.assertIsNone(incident["minutes"])


if __name__ == "__main__":
    unittest.main()
