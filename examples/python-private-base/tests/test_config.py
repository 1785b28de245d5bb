import unittest

from status_board import config


class ConfigTest(unittest.TestCase):
    def test_defaults(self):
        s = config.load(environ={})
        self.assertEqual(s.port, 8000)
        self.assertTrue(s.seed)

    def test_environment_overrides(self):
        s = config.load(environ={"STATUS_BOARD_SERVER_PORT": "9001", "STATUS_BOARD_DATABASE_SEED": "no"})
        self.assertEqual(s.port, 9001)
        self.assertFalse(s.seed)

    def test_missing_file(self):
        with self.assertRaises(FileNotFoundError):
            config.load("/nonexistent.ini", environ={})


if __name__ == "__main__":
    unittest.main()
