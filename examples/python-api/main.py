import os

from app.server import serve

if __name__ == "__main__":
    serve(port=int(os.environ.get("PORT", "8000")))
