from flask_appbuilder import IndexView

class DashboardIndexView(IndexView):
    pass
