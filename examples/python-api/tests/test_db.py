import unittest

from app import db


class DbTest(unittest.TestCase):
    def setUp(self):
        self.conn = db.connect(":memory:")

    def test_seeded(self):
        self.assertEqual(len(db.list_notes(self.conn)), 4)

    def test_filter_by_tag(self):
        titles = [n["title"] for n in db.list_notes(self.conn, "errands")]
        self.assertEqual(titles, ["Buy beans", "Call the roaster"])

    def test_stats(self):
        self.assertEqual(db.stats(self.conn)["byTag"], {"errands": 2, "home": 1, "work": 1})


if __name__ == "__main__":
    unittest.main()
