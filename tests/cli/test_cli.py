"""`flask datakesos …` through Click's runner."""


def test_init_loads_every_kemendagri_region(app):
    from app.register import regions

    with app.app_context():
        assert regions.count_by_level() == {1: 38, 2: 514, 3: 7_285, 4: 83_762}


def test_init_runs_again_without_changing_anything(app):
    from app.register import regions

    result = app.test_cli_runner().invoke(args=["datakesos", "init"])
    assert result.exit_code == 0, result.output
    assert "83.762" in result.output
    with app.app_context():
        assert sum(regions.count_by_level().values()) == 91_599


def test_create_user_with_region(app):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=[
            "datakesos",
            "create-user",
            "operator.depok",
            "--role",
            "Operator",
            "--region",
            "32.76",
            "--password",
            "Depok-Kuat-2026!",
        ]
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = app.appbuilder.sm.find_user(username="operator.depok")
        assert user.region_code == "32.76" and user.roles[0].name == "Operator"


def test_create_user_refuses_bad_input_in_indonesian(app):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["datakesos", "create-user", "x1", "--role", "Raja", "--password", "Depok-Kuat-2026!"]
    )
    assert result.exit_code == 1 and "tidak dikenal" in result.output
    result = runner.invoke(
        args=[
            "datakesos",
            "create-user",
            "x2",
            "--role",
            "Operator",
            "--password",
            "Depok-Kuat-2026!",
        ]
    )
    assert result.exit_code == 1 and "wilayah" in result.output
    result = runner.invoke(
        args=[
            "datakesos",
            "create-user",
            "x3",
            "--role",
            "Operator",
            "--region",
            "99.99",
            "--password",
            "Depok-Kuat-2026!",
        ]
    )
    assert result.exit_code == 1
