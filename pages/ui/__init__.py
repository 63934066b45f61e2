"""Streamlit parts of the app that are not pages (slstm never loads Streamlit): the page frame app.py builds
on every run (`frame`), the sidebar (`sidebar`), the server-wide resources (`resources`), and each page's
sections (`pages/ui/<page>.py`), so a page file reads like the page: widgets, one slstm call, figures."""
