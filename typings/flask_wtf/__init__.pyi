# Type information for the parts of Flask-WTF 1.x that consult uses: the package ships none,
# and PyPI has no stub package for it.
from _typeshed import Incomplete
from flask_wtf.csrf import CSRFProtect as CSRFProtect
from flask_wtf.form import FlaskForm as FlaskForm

Form = FlaskForm

def __getattr__(name: str) -> Incomplete: ...
