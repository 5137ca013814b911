from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render

from .models import Pair, Problem, Split


def overview(request):
    splits = Split.objects.all()
    return render(request, "problems/overview.html", {"splits": splits})


def problem_list(request):
    page = Paginator(Problem.objects.all(), 50).get_page(request.GET.get("page"))
    return render(request, "problems/problem_list.html", {"page": page})


def problem_detail(request, problem_id: str):
    problem = get_object_or_404(Problem, pk=problem_id)
    return render(request, "problems/problem_detail.html", {"problem": problem})


def pair_detail(request, pk: int):
    pair = get_object_or_404(Pair.objects.select_related("problem", "split"), pk=pk)
    return render(request, "problems/pair_detail.html", {"pair": pair})
